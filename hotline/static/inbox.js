/* The inbox without reloading: new messages appear, "who is replying" shows, the list refreshes.
   Progressive only: every page works without this file. Citizen text goes in with textContent. */
(function () {
  "use strict";

  function csrfToken() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function every(seconds, work) {
    var busy = false;
    window.setInterval(function () {
      if (busy || document.hidden) { return; }
      busy = true;
      work().catch(function () { /* offline for a moment: the next tick tries again */ })
        .then(function () { busy = false; });
    }, Math.max(2, seconds) * 1000);
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text !== undefined && text !== null) { made.textContent = text; }
    return made;
  }

  /* --- a conversation ------------------------------------------------------------------ */
  var thread = document.getElementById("thread");
  if (thread) {
    var after = parseInt(thread.dataset.after || "0", 10);
    var replying = document.getElementById("replying");
    var fresh = document.getElementById("fresh");

    var messageItem = function (message) {
      var item = element("li", "entry " + message.direction + " " + message.author);
      item.dataset.id = message.id;
      item.appendChild(element("span", "meta", message.meta));
      item.appendChild(element("p", "body", message.body));
      if (message.delivery) {
        var delivery = element("span", "delivery", message.delivery);
        delivery.dataset.delivery = message.id;
        item.appendChild(delivery);
      }
      return item;
    };

    every(parseInt(thread.dataset.seconds || "5", 10), function () {
      return getJSON(thread.dataset.poll + "?after=" + after).then(function (update) {
        if (!update) { return; }
        var empty = thread.querySelector("li.muted");
        update.messages.forEach(function (message) {
          if (message.id <= after || thread.querySelector('[data-id="' + message.id + '"]')) { return; }
          if (empty) { empty.remove(); empty = null; }
          thread.appendChild(messageItem(message));
          if (message.direction === "in" && fresh) { fresh.hidden = false; }
        });
        after = Math.max(after, update.last_message_id || 0);
        Object.keys(update.delivery || {}).forEach(function (id) {
          var label = thread.querySelector('[data-delivery="' + id + '"]');
          if (label && update.delivery[id] && label.textContent.indexOf(update.delivery[id]) !== 0) {
            label.textContent = update.delivery[id];
          }
        });
        if (replying) {
          replying.textContent = update.replying_text || "";
          replying.hidden = !update.replying_text;
        }
      });
    });

    /* Tell the others this officer is typing: at most one ping every 20 seconds. */
    var form = document.getElementById("reply-form");
    var body = document.getElementById("reply-body");
    if (form && body) {
      var last = 0;
      body.addEventListener("input", function () {
        var at = Date.now();
        if (at - last < 20000) { return; }
        last = at;
        fetch(form.dataset.replying, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        }).then(function (response) { return response.ok ? response.json() : null; })
          .then(function (answer) {
            if (answer && replying) {
              replying.textContent = answer.text || "";
              replying.hidden = !answer.text;
            }
          }).catch(function () {});
      });
      /* One click sends once: the nonce makes a resubmit harmless, this makes it rare. */
      form.addEventListener("submit", function () {
        var button = form.querySelector('button[type="submit"]');
        if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
      });
    }
  }

  /* --- the list: reload it when something changed ------------------------------------- */
  var list = document.getElementById("inbox-list");
  if (list) {
    var signature = null;
    every(parseInt(list.dataset.seconds || "5", 10), function () {
      return getJSON(list.dataset.poll).then(function (update) {
        if (!update) { return; }
        var now = JSON.stringify(update.conversations);
        var changed = signature !== null && now !== signature;
        signature = now;
        if (changed) {
          return fetch(window.location.href, { credentials: "same-origin" })
            .then(function (response) { return response.ok ? response.text() : null; })
            .then(function (html) {
              if (!html) { return; }
              var next = new DOMParser().parseFromString(html, "text/html").getElementById("inbox-list");
              if (next) { list.replaceChildren.apply(list, Array.prototype.slice.call(next.childNodes)); }
            });
        }
      });
    });
  }
})();
