// needlewise: the only script besides htmx. Everything works without it; it adds two things.
// 1. The print button (it needs JavaScript, so it stays hidden without it).
// 2. A question shown again with an error came from a form post: give its history entry the
//    question's own address, so that reloading it is a plain GET that keeps the answers.
document.addEventListener("DOMContentLoaded", wire);
document.addEventListener("htmx:afterSettle", wire);
function wire() {
  for (const button of document.querySelectorAll(".print-button")) {
    button.hidden = false;
    button.onclick = () => window.print();
  }
  const page = document.querySelector("[data-page-url]");
  if (page && location.pathname + location.search !== page.dataset.pageUrl) {
    history.replaceState(history.state, "", page.dataset.pageUrl);
  }
}
