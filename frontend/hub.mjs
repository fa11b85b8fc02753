import { initAll } from "./govuk-frontend.min.js";

initAll();

// Radios that show a follow-up question under the answer chosen (data-hub-reveals on the
// group, data-hub-controls on each radio with one). GOV.UK Frontend's own version marks each
// such radio aria-expanded, which ARIA does not allow on a radio; this shows and hides the
// same markup without it. The question follows its radio, so it is next when read aloud.
for (const group of document.querySelectorAll("[data-hub-reveals]")) {
  const show = () => {
    for (const radio of group.querySelectorAll("input[data-hub-controls]")) {
      const question = document.getElementById(radio.dataset.hubControls);
      question?.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
    }
  };
  group.addEventListener("change", show);
  show();
}
