// Patent search page: the query builder, the syntax-help examples and the auto-submitting
// selects. No inline scripts anywhere (the CSP forbids them); the page works without this
// file, which only composes the query string the user could also type.
(() => {
  "use strict";

  // A value needs quotes when it has spaces, operators or parentheses; ranges stay as typed.
  const quote = (value) => {
    const v = value.trim();
    if (!v) return "";
    if (/^\[.*\]$/.test(v) || /^".*"$/.test(v) || /^[<>]=?/.test(v)) return v;
    if (/^\d{4}(-\d{2}(-\d{2})?)?\s+TO\s+\d{4}(-\d{2}(-\d{2})?)?$/i.test(v)) return `[${v}]`;
    if (/[\s()]/.test(v) || /\b(AND|OR|NOT)\b/.test(v)) return `"${v.replace(/"/g, "")}"`;
    return v;
  };

  // Date fields take comparison operators directly after the code: AD>=2020, not AD=>=2020.
  const condition = (field, value) => {
    const v = quote(value);
    if (!v) return "";
    if (/^[<>]=?/.test(v)) return `${field}${v}`;
    return `${field}=${v}`;
  };

  const compose = (rows) => {
    let query = "";
    rows.forEach((row) => {
      const part = condition(row.querySelector(".qb-field").value, row.querySelector(".qb-value").value);
      if (!part) return;
      const op = row.querySelector(".qb-op").value;
      if (!query) query = op === "NOT" ? `NOT ${part}` : part;
      else query = `${query} ${op} ${part}`;
    });
    return query;
  };

  const setup = () => {
    const form = document.getElementById("patent-search-form");
    const input = document.getElementById("patent-q");
    const rowsBox = document.getElementById("query-builder-rows");
    const template = document.getElementById("query-builder-row");
    const submit = () => (form.requestSubmit ? form.requestSubmit() : form.submit());

    if (rowsBox && template) {
      const rows = () => Array.from(rowsBox.querySelectorAll(".query-row"));
      const preview = () => {
        const query = compose(rows());
        if (query) input.value = query;
      };
      const addRow = (focus) => {
        const row = template.content.firstElementChild.cloneNode(true);
        rowsBox.appendChild(row);
        // The first row's operator means nothing but NOT: hide AND/OR there.
        rows().forEach((r, i) => r.querySelector(".qb-op").classList.toggle("opacity-50", i === 0));
        if (focus) row.querySelector(".qb-value").focus();
      };
      addRow(false);
      addRow(false);
      rows()[1].querySelector(".qb-field").value = "PA";
      document.getElementById("qb-add").addEventListener("click", () => addRow(true));
      rowsBox.addEventListener("input", preview);
      rowsBox.addEventListener("change", preview);
      rowsBox.addEventListener("click", (event) => {
        const remove = event.target.closest(".qb-remove");
        if (!remove) return;
        const row = remove.closest(".query-row");
        if (rows().length > 1) row.remove();
        else row.querySelector(".qb-value").value = "";
        preview();
      });
      rowsBox.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && event.target.matches(".qb-value")) {
          event.preventDefault();
          preview();
          submit();
        }
      });
      document.getElementById("qb-apply").addEventListener("click", () => {
        preview();
        submit();
      });
    }

    // Examples in the syntax help: fill the box and search.
    document.addEventListener("click", (event) => {
      const example = event.target.closest("[data-query]");
      if (!example || !input) return;
      input.value = example.dataset.query;
      input.focus();
      submit();
    });
  };

  // Sort and page-size selects submit their (htmx-boosted) form when changed.
  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-autosubmit]");
    if (select && select.form) {
      if (select.form.requestSubmit) select.form.requestSubmit();
      else select.form.submit();
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
