// A conversation page marks what it shows as read by POSTing its form (GETs never write).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-mark-read]");
  if (!form) return;
  fetch(form.action, {
    method: "POST",
    body: new FormData(form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  }).then((response) => {
    if (response.ok) form.hidden = true;
  }).catch(() => {});
});
