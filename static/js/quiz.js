// Quiz page enhancements; the page works fully without them.
(function () {
  "use strict";

  // Countdown for a timed test. The server says how many seconds are left (the browser's
  // clock may be wrong); at zero the form goes once, marked as timed out, blank or not, and
  // the server records what it can and opens the results.
  const timer = document.querySelector("[data-seconds-left]");
  if (timer) {
    const deadline = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
    const form = document.querySelector("form[data-autosubmit]");  // else: already answered
    let submitted = false;
    let interval = null;
    const tick = function () {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const m = Math.floor(left / 60);
      const s = String(left % 60).padStart(2, "0");
      timer.textContent = "Time left: " + m + ":" + s;
      if (left <= 60) { timer.classList.add("timer-low"); }
      if (left === 0 && !submitted) {
        submitted = true;
        window.clearInterval(interval);
        if (form) {
          const flag = document.createElement("input");
          flag.type = "hidden"; flag.name = "timed_out"; flag.value = "1";
          form.appendChild(flag);
          form.requestSubmit();
        } else {
          const finish = document.querySelector("form[action$='/finish']");
          if (finish) { finish.requestSubmit(); }
        }
      }
    };
    tick();
    interval = window.setInterval(tick, 1000);
  }

  // Ordering: move items in place instead of a round trip to the server.
  const list = document.querySelector("[data-ordering]");
  if (list) {
    list.addEventListener("click", function (event) {
      const button = event.target.closest("button[name=move]");
      if (!button) { return; }
      event.preventDefault();
      const item = button.closest("li");
      const up = button.value.startsWith("up");
      const other = up ? item.previousElementSibling : item.nextElementSibling;
      if (!other) { return; }
      if (up) { list.insertBefore(item, other); } else { list.insertBefore(other, item); }
      renumber();
      const again = item.querySelector("button[value^='" + (up ? "up" : "down") + "']");
      (again && !again.disabled ? again : item.querySelector("button:not([disabled])")).focus();
    });
    const renumber = function () {
      const items = Array.from(list.children);
      items.forEach(function (li, k) {
        const hidden = li.querySelector("input[type=hidden]");
        hidden.name = "order_" + k;
        hidden.id = "order_" + k;
        const [upButton, downButton] = li.querySelectorAll("button[name=move]");
        upButton.value = "up-" + k;
        downButton.value = "down-" + k;
        upButton.disabled = k === 0;
        downButton.disabled = k === items.length - 1;
      });
    };
  }
})();
