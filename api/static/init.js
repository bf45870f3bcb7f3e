// GOV.UK Frontend's behaviour (error summary focus, service navigation). Pages work without it.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
