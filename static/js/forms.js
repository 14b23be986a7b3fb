// A form answered with errors: move focus to the first field in error, so keyboard and
// screen-reader users land on it and hear its message (its aria-describedby).
(function () {
  "use strict";
  const first = document.querySelector("main [aria-invalid='true']");
  if (first && typeof first.focus === "function") { first.focus(); }
})();
