// Mounts Stripe's Payment Element and confirms the PaymentIntent in the browser.
// The order is marked paid only by the signed webhook, never by this page.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") return;
  const stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale });
  const elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  const message = document.getElementById("payment-message");
  const button = document.getElementById("payment-submit");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    const { error } = await stripe.confirmPayment({
      elements,
      confirmParams: { return_url: form.dataset.returnUrl },
    });
    if (error) {  // only reached when the payment could not be confirmed
      message.textContent = error.message;
      message.classList.remove("d-none");
      button.disabled = false;
    }
  });
});
