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

// GOV.UK Frontend focuses the error summary, or a banner with role="alert" (a success, or a
// problem with what was just done), as the page opens. But the browser then jumps to the
// address's #fragment, taking focus with it, and a form keeps the fragment of the page it was
// sent from, through any redirect: after the skip link (#main-content), or the filters' jump
// to #results-heading, the next page's summary or banner was skipped unheard. So once the
// browser has jumped, focus goes back: always to the error summary (problems come first, even
// before results far down a phone's screen); to the banner unless the fragment marks a part of
// the page away from it. The address loses the fragment, so the next form does not carry it on.
const problems = document.querySelector(".govuk-error-summary");
const banner = document.querySelector('.govuk-notification-banner[role="alert"]');
const fragmentTarget = (() => {
  try {
    return document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  } catch {
    return null; // a malformed fragment: the browser jumps nowhere
  }
})();
const aimedElsewhere = !problems && fragmentTarget !== null && !fragmentTarget.contains(banner);
const focusFirst = window.location.hash && !aimedElsewhere ? (problems ?? banner) : null;
if (focusFirst) {
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  const bringForward = () => {
    focusFirst.setAttribute("tabindex", "-1");
    focusFirst.addEventListener("blur", () => focusFirst.removeAttribute("tabindex"), {
      once: true,
    });
    focusFirst.focus();
    focusFirst.scrollIntoView();
  };
  if (document.readyState === "complete") bringForward();
  else window.addEventListener("load", bringForward, { once: true });
}

// "All opportunities" on an opportunity's page goes back to the directory as the person left
// it, with their search, filters and page, when that is where they came from. The address is
// not put in the page itself: public pages are kept and shared by address (page_cache), and
// one copy serves every visitor. Without JavaScript, or from anywhere else, it opens the
// directory afresh.
const backToSearch = document.querySelector("a[data-hub-back-to-search]");
if (backToSearch && document.referrer) {
  const from = new URL(document.referrer);
  const directory = new URL(backToSearch.href);
  if (from.origin === directory.origin && from.pathname === directory.pathname && from.search) {
    backToSearch.href = from.pathname + from.search + "#results-heading";
    backToSearch.textContent = "Back to your search";
  }
}
