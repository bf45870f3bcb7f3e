// MoJ Frontend's behaviour for the components that have any. Pages work without it.
import { initAll } from "/static/moj/moj-frontend.min.js";

initAll();
