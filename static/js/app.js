// Site-wide behaviour. No inline scripts anywhere: the CSP forbids them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-once disable their submit buttons after the first submit (double clicks).
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      // Let the clicked button's name/value go with the form before disabling.
      setTimeout(() => {
        form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])")
          .forEach((b) => { b.disabled = true; });
      }, 0);
    });
  });

  // Live character counters: <textarea data-counter="ID" maxlength="N">.
  document.querySelectorAll("[data-counter]").forEach((field) => {
    const out = document.getElementById(field.dataset.counter);
    if (!out) return;
    const template = out.dataset.template || "{count}";
    const update = () => { out.textContent = template.replace("{count}", field.value.length); };
    field.addEventListener("input", update);
    update();
  });
});
