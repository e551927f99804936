// Revitalization pages: a filter select marked data-autosubmit submits its form when changed
// (the CSP forbids inline handlers such as onchange="…", so the behaviour lives here).
(() => {
  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-autosubmit]");
    if (!select || !select.form) return;
    if (select.form.requestSubmit) select.form.requestSubmit();
    else select.form.submit();
  });
})();
