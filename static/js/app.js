// Site-wide behaviour. No inline scripts anywhere: the CSP forbids them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-once disable their submit buttons after the first submit (double clicks).
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach((b) => {
        b.disabled = true;
      });
    });
  });
});
