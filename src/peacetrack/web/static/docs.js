// Starts Swagger UI (static/vendor, from npm's swagger-ui-dist) on /docs over the app's
// OpenAPI description. A file of its own: the app's CSP allows no inline script.
"use strict";

window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null, // no badge from validator.swagger.io: nothing leaves this server
  });
});
