// needlewise: the only script besides htmx. Everything works without it; it adds four things.
// 1. The print button (it needs JavaScript, so it stays hidden without it).
// 3. Copy buttons beside a read-only field (without JavaScript its text is there to select).
// 2. A question shown again with an error came from a form post: give its history entry the
//    question's own address, so that reloading it is a plain GET that keeps the answers.
// 4. A time zone select where none was chosen yet (data-browser-zone), still at UTC: the browser's
//    own zone is preselected when the list has it; the person still sees it and saves it themselves.
document.addEventListener("DOMContentLoaded", wire);
document.addEventListener("htmx:afterSettle", wire);
function wire() {
  for (const button of document.querySelectorAll(".print-button")) {
    button.hidden = false;
    button.onclick = () => window.print();
  }
  for (const button of document.querySelectorAll(".copy-button[data-copy]")) {
    button.hidden = false;
    button.onclick = () => copy(button);
  }
  for (const select of document.querySelectorAll("select[data-browser-zone]")) {
    select.removeAttribute("data-browser-zone");  // once: never over a choice made since
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (select.value === "UTC" && [...select.options].some((option) => option.value === zone)) {
      select.value = zone;
    }
  }
  const page = document.querySelector("[data-page-url]");
  if (page && location.pathname + location.search !== page.dataset.pageUrl) {
    history.replaceState(history.state, "", page.dataset.pageUrl);
  }
}
function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  const text = source.value ?? source.textContent;
  const done = () => { button.textContent = button.dataset.copied; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text).then(done, () => select(source));
  } else {
    select(source);
  }
}
function select(source) {
  if (source.select) { source.select(); } else { getSelection().selectAllChildren(source); }
}
