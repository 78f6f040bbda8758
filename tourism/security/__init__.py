"""Go-live protections that cut across the apps: login throttling and the browser policies."""
