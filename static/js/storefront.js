// Product and class pages: the photo viewer, "copy link", the phone booking bar.
// Everything here improves pages that already work without JavaScript (links and forms).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-viewer]").forEach((viewer) => {
    const main = viewer.querySelector(".gallery__main");
    const zoom = viewer.querySelector("[data-viewer-open]");
    const links = Array.from(viewer.querySelectorAll("[data-photo]"));
    const dialog = viewer.querySelector("dialog");
    const big = dialog ? dialog.querySelector(".photo-dialog__img") : null;
    const count = dialog ? dialog.querySelector(".photo-dialog__count") : null;
    const label = viewer.dataset.viewerLabel || "{n}";
    let current = Math.max(0, links.findIndex((a) => a.getAttribute("aria-current") === "true"));

    const show = (index) => {
      if (!links.length) return;
      current = (index + links.length) % links.length;
      const link = links[current];
      main.src = link.dataset.src;
      main.srcset = link.dataset.srcset;
      main.alt = link.dataset.alt;
      zoom.href = link.dataset.page;
      links.forEach((a) => a.removeAttribute("aria-current"));
      link.setAttribute("aria-current", "true");
      if (big) {
        big.src = link.dataset.src;
        big.alt = link.dataset.alt;
        count.textContent = label.replace("{n}", String(current + 1));
      }
    };

    links.forEach((link, index) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        show(index);
        const url = new URL(window.location.href);
        url.searchParams.set("photo", String(index + 1));
        window.history.replaceState(null, "", url.pathname + url.search);
      });
    });

    if (dialog && typeof dialog.showModal === "function" && zoom) {
      zoom.addEventListener("click", (event) => {
        event.preventDefault();
        big.src = main.currentSrc || main.src;
        big.alt = main.alt;
        count.textContent = links.length ? label.replace("{n}", String(current + 1)) : "";
        dialog.showModal();
      });
      dialog.querySelector("[data-viewer-close]").addEventListener("click", () => dialog.close());
      dialog.querySelectorAll("[data-viewer-step]").forEach((button) => {
        button.addEventListener("click", () => show(current + Number(button.dataset.viewerStep)));
      });
      dialog.addEventListener("keydown", (event) => {
        if (event.key === "ArrowRight") show(current + 1);
        if (event.key === "ArrowLeft") show(current - 1);
      });
      // A click on the backdrop (outside the picture and buttons) closes it.
      dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
      dialog.addEventListener("close", () => zoom.focus());
    }
  });

  // Filter panels start open where there is room for them (they stay a button on phones).
  if (window.matchMedia("(min-width: 992px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((panel) => { panel.open = true; });
  }

  // Copy link: shown only where the clipboard can be written.
  document.querySelectorAll("[data-copy-link]").forEach((button) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    const status = button.parentElement.querySelector(".share__status");
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(button.dataset.copyLink).then(() => {
        if (status) status.textContent = button.dataset.copied;
      }, () => {});
    });
  });
});
