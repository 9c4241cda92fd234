// The API docs page: Swagger UI served from this server (no CDN), reading the local OpenAPI description.
window.addEventListener('DOMContentLoaded', () => {
  const el = document.getElementById('swagger-ui');
  window.SwaggerUIBundle({ url: el.dataset.spec, dom_id: '#swagger-ui', deepLinking: false,
    validatorUrl: null, tryItOutEnabled: true });
});
