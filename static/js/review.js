// Flashcard reviewer: keyboard flow and JSON posts, no page reloads.
// Without this script the same page works with plain links and form posts.
(function () {
  "use strict";
  const root = document.getElementById("reviewer");
  if (!root) { return; }
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const status = document.getElementById("reviewer-status");
  let busy = false;
  let shownAt = Date.now();

  const $ = function (selector) { return root.querySelector(selector); };
  const card = function () { return $(".flashcard"); };
  const revealed = function () { return card() && !$("#card-back").hidden; };

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || data.message || response.statusText); }
        return data;
      });
    });
  }

  function say(text) { status.textContent = text; }

  function setCounts(counts) {
    Object.keys(counts).forEach(function (name) {
      const el = root.querySelector("[data-count=" + name + "]");
      if (el) { el.textContent = counts[name]; }
    });
  }

  // A message from the page load ("Saved. Your cards are ready.") belongs to that moment.
  function clearFlashes() {
    document.querySelectorAll(".flashes").forEach(function (el) { el.remove(); });
  }

  function render(data) {
    clearFlashes();
    setCounts(data.counts);
    if (data.undo_submission_id) {  // each undo carries its own id: sent twice, it undoes once
      root.dataset.undoSubmissionId = data.undo_submission_id;
      root.querySelectorAll("[data-undo-field]").forEach(function (input) { input.value = data.undo_submission_id; });
    }
    if (!data.card) {
      document.getElementById("study-area").innerHTML = data.done_html;
      return;
    }
    if (!card()) { window.location.reload(); return; }
    const c = data.card;
    const article = card();
    article.dataset.cardId = c.card_id;
    article.dataset.submissionId = c.submission_id;
    article.dataset.typeIn = c.type_in ? "true" : "false";
    document.getElementById("card-front").innerHTML = c.front_html;
    document.getElementById("card-back-content").innerHTML = c.back_html;
    $("#card-back").hidden = true;
    const suggestion = document.getElementById("suggestion");
    suggestion.hidden = true;
    suggestion.className = "suggestion";
    const form = document.getElementById("grade-form");
    form.hidden = true;
    form.querySelector("[name=card_id]").value = c.card_id;
    form.querySelector("[name=submission_id]").value = c.submission_id;
    form.querySelectorAll(".grade").forEach(function (b) { b.classList.remove("suggested"); });
    Object.keys(c.intervals).forEach(function (rating) {
      root.querySelector("[data-interval='" + rating + "']").textContent = c.intervals[rating];
    });
    root.querySelectorAll("[data-card-field]").forEach(function (input) { input.value = c.card_id; });
    const reveal = document.getElementById("reveal-form");
    reveal.hidden = false;
    reveal.querySelector("[name=card]").value = c.card_id;
    const typein = document.getElementById("typein-field");
    typein.hidden = !c.type_in;
    const input = document.getElementById("typein");
    input.value = "";
    if (c.type_in) { input.focus(); } else { document.getElementById("reveal").focus(); }
    shownAt = Date.now();
  }

  function reveal() {
    if (!card() || revealed()) { return; }
    $("#card-back").hidden = false;
    document.getElementById("reveal-form").hidden = true;
    const form = document.getElementById("grade-form");
    form.hidden = false;
    const input = document.getElementById("typein");
    if (card().dataset.typeIn === "true" && input.value.trim()) {
      post(root.dataset.checkUrl, { card_id: Number(card().dataset.cardId), answer: input.value })
        .then(function (s) {
          const box = document.getElementById("suggestion");
          box.hidden = false;
          box.className = "suggestion " + (s.correct ? "is-correct" : "is-wrong");
          box.textContent = s.feedback + ": we suggest " + s.rating_name + ".";
          box.insertAdjacentHTML("beforeend", s.diff_html);  // rendered and escaped by the server
          const button = form.querySelector(".grade-" + s.rating);
          button.classList.add("suggested");
          button.focus();
        })
        .catch(function (e) { say(e.message); });
    } else {
      form.querySelector(".grade-3").focus();
    }
  }

  function grade(rating) {
    if (busy || !revealed()) { return; }
    busy = true;
    const form = document.getElementById("grade-form");
    const body = {
      card_id: Number(form.querySelector("[name=card_id]").value),
      rating: rating,
      submission_id: form.querySelector("[name=submission_id]").value,
      duration_ms: Math.min(Date.now() - shownAt, 86400000),
    };
    post(root.dataset.reviewUrl, body)
      .then(function (data) { say(data.applied ? "" : "Already recorded."); render(data); })
      .catch(function () {
        // Fall back to a plain post with the same submission id: applied at most once.
        const hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "rating"; hidden.value = rating;
        form.appendChild(hidden);
        form.submit();
      })
      .finally(function () { busy = false; });
  }

  function act(url, message) {
    if (busy) { return; }
    busy = true;
    const body = url === root.dataset.undoUrl ? { submission_id: root.dataset.undoSubmissionId }
      : { card_id: card() ? card().dataset.cardId : "" };
    post(url, body)
      .then(function (data) { say(data.message || message); render(data); })
      .catch(function (e) { say(e.message); })
      .finally(function () { busy = false; });
  }

  root.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.id === "reveal-form") { event.preventDefault(); reveal(); }
    if (form.id === "grade-form" && event.submitter) {
      event.preventDefault();
      grade(Number(event.submitter.value));
    }
    if (form.action.endsWith(root.dataset.undoUrl)) { event.preventDefault(); act(root.dataset.undoUrl, "Undone."); }
    if (form.action.endsWith(root.dataset.buryUrl)) { event.preventDefault(); act(root.dataset.buryUrl, "Buried."); }
    if (form.action.endsWith(root.dataset.suspendUrl)) { event.preventDefault(); act(root.dataset.suspendUrl, "Suspended."); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    const typing = event.target.matches("input[type=text], textarea, select");
    if (typing) {
      if (event.key === "Enter" && event.target.id === "typein") { event.preventDefault(); reveal(); }
      return;
    }
    // Enter and Space on a focused link or button activate it, as everywhere else.
    const control = event.target.closest("a[href], button, summary, input, [role=button], [role=link]");
    if ((event.key === " " || event.key === "Enter") && control) { return; }
    if ((event.key === " " || event.key === "Enter") && card() && !revealed()) {
      event.preventDefault(); reveal(); return;
    }
    if (["1", "2", "3", "4"].includes(event.key) && revealed()) {
      event.preventDefault(); grade(Number(event.key)); return;
    }
    if (event.key === "u") { event.preventDefault(); act(root.dataset.undoUrl, "Undone."); }
    if (event.key === "b" && card()) { event.preventDefault(); act(root.dataset.buryUrl, "Buried."); }
    if (event.key === "s" && card()) { event.preventDefault(); act(root.dataset.suspendUrl, "Suspended."); }
  });
})();
