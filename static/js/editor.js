// Question editor: show the fields of the chosen type at once (the form works without this).
(function () {
  "use strict";
  const select = document.querySelector("#question-editor select[name=type]");
  if (!select) { return; }
  document.querySelectorAll("[data-no-js-only]").forEach(function (el) { el.hidden = true; });
  const show = function () {
    document.querySelectorAll(".type-section").forEach(function (section) {
      section.hidden = !section.dataset.types.split(" ").includes(select.value);
    });
  };
  select.addEventListener("change", show);
  show();
})();
