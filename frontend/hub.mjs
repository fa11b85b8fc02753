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

// A long list of checkboxes (a project's team, chosen from every member of staff) gets a
// box that narrows it as you type. Ticked boxes always stay in view, so a choice is never
// hidden, and a count of what is shown is read out. Without JavaScript the whole list shows.
const LONG_LIST = 15;
document.querySelectorAll(".govuk-checkboxes").forEach((list, index) => {
  const items = [...list.querySelectorAll(":scope > .govuk-checkboxes__item")];
  if (items.length <= LONG_LIST) return;
  const id = `hub-narrow-${index}`;
  const finder = document.createElement("div");
  finder.className = "govuk-form-group govuk-!-margin-bottom-4";
  finder.innerHTML =
    `<label class="govuk-label" for="${id}">Find in this list</label>` +
    `<input class="govuk-input govuk-!-width-two-thirds" id="${id}" type="search" ` +
    `autocomplete="off" spellcheck="false">` +
    `<p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0" role="status"></p>`;
  const input = finder.querySelector("input");
  const status = finder.querySelector("[role=status]");
  list.before(finder);
  // Enter in the box would send the whole form; here it only narrows the list.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  input.addEventListener("input", () => {
    const words = input.value.trim().toLowerCase();
    let shown = 0;
    for (const item of items) {
      const box = item.querySelector("input");
      const name = item.querySelector("label")?.textContent.toLowerCase() ?? "";
      const show = !words || box.checked || name.includes(words);
      item.hidden = !show;
      if (show) shown += 1;
    }
    status.textContent = words ? `Showing ${shown} of ${items.length}` : "";
  });
});

// A file input with data-hub-max-bytes says at once when the file chosen is too big, as the
// server would after the whole upload (minutes on a slow phone connection), and the form is
// not sent with it. The server checks again: this only saves the wait.
for (const input of document.querySelectorAll("input[type=file][data-hub-max-bytes]")) {
  const group = input.closest(".govuk-form-group");
  const message = document.createElement("p");
  message.className = "govuk-error-message";
  message.id = `${input.id}-size-error`;
  const tooBig = () => {
    const file = input.files?.[0];
    return file && file.size > Number(input.dataset.hubMaxBytes) ? file : null;
  };
  const show = () => {
    const file = tooBig();
    message.remove();
    input.classList.toggle("govuk-file-upload--error", Boolean(file));
    const described = (input.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter((id) => id && id !== message.id);
    if (file) {
      const megabytes = (file.size / (1024 * 1024)).toFixed(1);
      message.innerHTML = '<span class="govuk-visually-hidden">Error:</span> ';
      message.append(`${input.dataset.hubTooBig} The file you chose is ${megabytes} MB.`);
      input.before(message);
      described.push(message.id);
    }
    group?.classList.toggle(
      "govuk-form-group--error",
      Boolean(file) || Boolean(group.querySelector(".govuk-error-message:not([id$=size-error])")),
    );
    input.setAttribute("aria-describedby", described.join(" "));
    return file;
  };
  input.addEventListener("change", show);
  input.form?.addEventListener("submit", (event) => {
    if (show()) {
      event.preventDefault();
      input.focus();
    }
  });
}

// Filter forms send people to their results (#results-heading), which on a phone are far
// below the filters. When the filters had a problem, the error summary must come first: the
// address loses the jump, and the summary takes focus (as GOV.UK Frontend's own does) once
// the browser has finished its own scrolling to the results.
const filterProblems = document.querySelector(".govuk-error-summary");
if (filterProblems && window.location.hash === "#results-heading") {
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  const bringForward = () => {
    filterProblems.setAttribute("tabindex", "-1");
    filterProblems.focus();
    filterProblems.scrollIntoView();
  };
  if (document.readyState === "complete") bringForward();
  else window.addEventListener("load", bringForward, { once: true });
}
