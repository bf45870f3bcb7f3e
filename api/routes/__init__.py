"""One router per part of the service; each route translates HTTP to one service call."""
