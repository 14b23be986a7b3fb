// A job's page: ask its JSON endpoint how far it got, move the progress bar, and reload the
// page (which then shows the result) once the job has finished. Without JS the page refreshes.
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") { return; }
  const bar = document.getElementById("job-progress");
  const message = document.getElementById("job-message");
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { window.setTimeout(poll, 3000); return; }
        bar.value = status.progress;
        bar.setAttribute("aria-valuenow", String(status.progress));
        bar.textContent = status.progress + "%";
        if (message.textContent !== status.message) { message.textContent = status.message; }
        if (status.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
