// Quorum's only script: progressive enhancement. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // On a narrow screen the header's links fold behind a Menu button (CSS
  // shows the button only there; without this script the links stay open).
  const toggle = document.querySelector("header.site .menu-toggle");
  const menu = document.getElementById("site-menu");
  if (toggle && menu) {
    document.documentElement.classList.add("js-menu");
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }

  // Menus and the reaction picker are <details>: Escape closes the one the
  // focus is in (focus goes back to its summary), and a click elsewhere
  // closes an open menu.
  const popups = "details.menu[open], details.react-picker[open]";
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = event.target.closest && event.target.closest(popups);
    if (!open) return;
    open.open = false;
    const summary = open.querySelector(":scope > summary");
    if (summary) summary.focus();
  });
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.menu[open]").forEach((d) => {
      if (!d.contains(event.target)) d.open = false;
    });
  });

  // The welcome form sends the browser's time zone (input[data-browser-zone]),
  // so that dates are in the person's zone from the start.
  document.querySelectorAll("input[data-browser-zone]").forEach((input) => {
    try {
      input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      input.value = "";
    }
  });

  // Copy buttons (button[data-copy] names the field): shown only where the
  // clipboard can be written; the field stays selectable without them.
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const status = button.closest("section") && button.closest("section").querySelector(".copy-status");
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = button.dataset.copied || "";
      } catch (e) {
        field.select();
      }
    });
  });

  // Ask before destructive actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Attachments (form[data-upload]): ask Quorum for a presigned PUT, send
  // the file straight to storage with the signed headers, then confirm.
  // Without this script the form posts to a page that explains why.
  document.querySelectorAll("form[data-upload]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      const input = form.querySelector("input[type=file]");
      const status = form.querySelector(".upload-status");
      const say = (text) => { if (status) status.textContent = text; };
      // Messages come from the page, in the reader's language (data-msg-*).
      const msg = (key, fallback) => form.dataset[key] || fallback;
      event.preventDefault();
      if (!input || !input.files.length) { say(msg("msgChoose", "Choose a file first.")); return; }
      const file = input.files[0];
      const api = form.dataset.upload;
      const json = { "Content-Type": "application/json", "Accept": "application/json" };
      try {
        say(msg("msgPreparing", "Preparing the upload…"));
        const ask = { name: file.name, content_type: file.type || "application/octet-stream", size: file.size };
        if (form.dataset.comment) ask.comment_id = form.dataset.comment; // attaching to a comment
        let res = await fetch(api, { method: "POST", credentials: "same-origin", headers: json, body: JSON.stringify(ask) });
        if (!res.ok) throw new Error((await res.json()).detail || res.statusText);
        const up = await res.json();
        say(msg("msgUploading", "Uploading {name}…").replace("{name}", file.name));
        res = await fetch(up.put.url, { method: up.put.method, headers: up.put.headers, body: file, credentials: "omit" });
        if (!res.ok) throw new Error(msg("msgRefused", "the storage refused the file ({status})").replace("{status}", res.status));
        say(msg("msgChecking", "Checking the file…"));
        res = await fetch(api + "/" + encodeURIComponent(up.file_id) + "/confirm", { method: "POST", credentials: "same-origin", headers: json });
        if (!res.ok) throw new Error((await res.json()).detail || res.statusText);
        say(msg("msgAttached", "Attached."));
        window.location.reload();
      } catch (err) {
        say(msg("msgFailed", "The file was not attached: {error}").replace("{error}", err.message));
      }
    });
  });

  // Your picture (form[data-avatar-upload], Settings): the browser sends
  // the original straight to the encrypted bucket with a presigned PUT
  // (type, size and SSE-KMS bound in the signature), then asks Quorum to
  // make the avatar from it (resized, metadata gone; the original deleted).
  // Whatever this path cannot finish (a refused type or size, a picture
  // that cannot be read, storage out of reach) falls back to the plain
  // form, which posts the file to Quorum and shows its answer on the page
  // in the reader's language: one place says why a picture is refused.
  document.querySelectorAll("form[data-avatar-upload]").forEach((form) => {
    // Back to a page kept in the browser's cache: the button works again.
    window.addEventListener("pageshow", () => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = false; }));
    form.addEventListener("submit", async (event) => {
      const input = form.querySelector("input[type=file]");
      if (!input || !input.files.length || !window.fetch) return; // the plain form says "choose a picture"
      event.preventDefault();
      const file = input.files[0];
      const status = form.querySelector(".upload-status");
      const say = (text) => { if (status) status.textContent = text || ""; };
      const button = form.querySelector("button[type=submit]");
      const api = form.dataset.avatarUpload;
      const json = { "Content-Type": "application/json", "Accept": "application/json" };
      const plain = () => { say(""); if (button) button.disabled = false; form.submit(); };
      if (button) button.disabled = true;
      try {
        say(form.dataset.msgUploading);
        let res = await fetch(api, { method: "POST", credentials: "same-origin", headers: json,
          body: JSON.stringify({ content_type: file.type, size: file.size }) });
        if (!res.ok) { plain(); return; }
        const up = await res.json();
        res = await fetch(up.put.url, { method: up.put.method, headers: up.put.headers, body: file, credentials: "omit" });
        if (!res.ok) { plain(); return; }
        say(form.dataset.msgProcessing);
        res = await fetch(api + "/" + encodeURIComponent(up.upload_id) + "/confirm", { method: "POST", credentials: "same-origin", headers: json });
        if (!res.ok) { plain(); return; }
        window.location.assign(form.dataset.done);
      } catch (err) {
        plain(); // the bucket out of reach (network, CORS): through Quorum instead
      }
    });
  });
});

// Polls: live "dots left" for dot votes, and ranked-choice reordering in
// place (the Up/Down buttons otherwise submit and the server reorders).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("fieldset.dots[data-budget]").forEach((set) => {
    const budget = parseInt(set.dataset.budget, 10) || 0;
    const out = set.querySelector(".dots-left output");
    const update = () => {
      let used = 0;
      set.querySelectorAll("input[type=number]").forEach((i) => { const n = parseInt(i.value, 10); if (n > 0) used += n; });
      if (out) out.textContent = String(budget - used);
    };
    set.addEventListener("input", update);
    update();
  });
  document.querySelectorAll("ol.ranked").forEach((list) => rankable(list));
});

// ---- Ranked choice (helper "forms"): a list the voter arranges ----
// Nothing is ranked until the voter moves an option (by drag and drop with
// pointer events, or the Up/Down buttons, which also work with the
// keyboard) or takes the order as shown ("Rank in this order"); only then
// does the form carry an order, so an untouched list cannot be cast (the
// server refuses a ranked vote without one). Each move is announced in the
// list's aria-live region, in the page's language.
function rankable(list) {
  const form = list.closest("form");
  const n = parseInt(list.dataset.n, 10) || 0;
  const order = form.querySelector("input[data-rank-order]");
  const live = form.querySelector("[data-rank-live]");
  const hint = form.querySelector("[data-rank-hint]");
  const keep = form.querySelector(".rank-keep");
  let arranged = !list.classList.contains("untouched");
  const label = (li) => li.querySelector(".rank-label").textContent;
  const refresh = () => {
    const items = [...list.children];
    items.forEach((li, i) => {
      // The words come from the page, in its language ("rank %d").
      li.querySelector(".rank").textContent = arranged && i < n
        ? (list.dataset.rankText || "rank %d").replace("%d", String(i + 1))
        : (list.dataset.unrankedText || "not ranked");
      const [up, down] = li.querySelectorAll("button[name=move]");
      up.disabled = i === 0;
      down.disabled = i === items.length - 1;
    });
    if (order) order.value = arranged ? items.map((li) => li.dataset.id).join(",") : "";
  };
  // A refused untouched list's error (under the list, and the summary at
  // the top when it was its only entry) no longer holds once arranged.
  const settle = () => {
    const set = list.closest("fieldset");
    const err = set && set.querySelector(":scope > .field-error");
    if (!err) return;
    err.hidden = true;
    const link = set.id && [...document.querySelectorAll(".errors a")].find((a) => a.getAttribute("href") === "#" + set.id);
    const summary = link && link.closest(".errors");
    if (summary && summary.querySelectorAll("li").length === 1) summary.hidden = true;
  };
  const arrange = () => {
    if (arranged) return;
    arranged = true;
    list.classList.remove("untouched");
    if (keep) keep.hidden = true;
    if (hint) hint.textContent = hint.dataset.rankHint;
    settle();
  };
  const announce = (li) => {
    if (!live) return;
    const pos = [...list.children].indexOf(li) + 1;
    live.textContent = (list.dataset.movedText || "%s: %d").replace("%s", label(li)).replace("%d", String(pos));
  };
  list.addEventListener("click", (event) => {
    const b = event.target.closest("button[name=move]");
    if (!b) return;
    event.preventDefault();
    const li = b.closest("li");
    if (b.value.startsWith("up:") && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
    if (b.value.startsWith("down:") && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
    arrange();
    refresh();
    announce(li);
    if (b.disabled) { const other = li.querySelector("button[name=move]:not(:disabled)"); if (other) other.focus(); } else b.focus();
  });
  if (keep) {
    keep.addEventListener("click", (event) => {
      event.preventDefault();
      arrange();
      refresh();
      const first = list.querySelector("button[name=move]:not(:disabled)");
      if (first) first.focus();
      if (live) live.textContent = hint ? hint.dataset.rankHint : "";
    });
  }
  // Drag and drop: press on an option (not on its buttons), move, let go.
  let dragged = null;
  list.addEventListener("pointerdown", (event) => {
    const li = event.target.closest("li");
    if (!li || event.target.closest("button") || event.button !== 0) return;
    // On a touch screen only the handle drags (the rest of the list scrolls).
    if (event.pointerType === "touch" && !event.target.closest(".drag-handle")) return;
    dragged = li;
    li.classList.add("dragging");
    li.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  list.addEventListener("pointermove", (event) => {
    if (!dragged) return;
    const over = [...list.children].find((li) => {
      if (li === dragged) return false;
      const box = li.getBoundingClientRect();
      return event.clientY >= box.top && event.clientY <= box.bottom;
    });
    if (!over) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  const drop = () => {
    if (!dragged) return;
    const li = dragged;
    dragged = null;
    li.classList.remove("dragging");
    arrange();
    refresh();
    announce(li);
  };
  list.addEventListener("pointerup", drop);
  list.addEventListener("pointercancel", drop);
  refresh();
}

// Search as you type (inputs with data-suggest): a listbox of the best
// matches under the box, from GET /api/v1/search with prefix=1, following
// the ARIA combobox pattern: Up and Down move through the suggestions,
// Enter opens the one chosen (or searches, as without this script),
// Escape closes the list. Requests wait until typing pauses and a newer
// request cancels the one before.
document.addEventListener("DOMContentLoaded", () => {
  let serial = 0;
  document.querySelectorAll("input[data-suggest]").forEach((input) => {
    const form = input.form;
    if (!form || !window.fetch || !window.AbortController) return;
    const id = input.id || "q" + (++serial);
    input.id = id;
    const list = document.createElement("ul");
    list.id = id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    // Messages come from the page, in the reader's language (data-sg-*).
    const msg = (key, fallback) => input.dataset[key] || fallback;
    list.setAttribute("aria-label", msg("sgLabel", "Suggestions"));
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.classList.add("suggesting");
    input.insertAdjacentElement("afterend", list);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    let timer = 0, pending = null, active = -1, shown = "";
    const options = () => [...list.querySelectorAll("[role=option]")];
    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const choose = (i) => {
      const opts = options();
      opts.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
      active = i;
      if (i >= 0 && opts[i]) {
        input.setAttribute("aria-activedescendant", opts[i].id);
        opts[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    };
    // marked copies the API's *_html (escaped text with <mark>) as text
    // and <mark> elements only: nothing else can become markup.
    const marked = (html, into) => {
      const tpl = document.createElement("template");
      tpl.innerHTML = html;
      tpl.content.childNodes.forEach((n) => {
        if (n.nodeName === "MARK") {
          const m = document.createElement("mark");
          m.textContent = n.textContent;
          into.appendChild(m);
        } else into.appendChild(document.createTextNode(n.textContent));
      });
    };
    const params = (q) => {
      const p = new URLSearchParams({ q: q });
      const group = form.querySelector("[name=group]");
      if (group && group.value) p.set("group", group.value);
      return p;
    };
    const option = (n, href) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.href = href;
      return li;
    };
    const show = (q, hits) => {
      list.replaceChildren();
      hits.forEach((h, n) => {
        const li = option(n, h.url);
        const kind = document.createElement("span");
        kind.className = "tag";
        kind.textContent = h.kind;
        const title = document.createElement("span");
        title.className = "suggestion-title";
        marked(h.title_html, title);
        const passage = document.createElement("span");
        passage.className = "suggestion-passage";
        marked(h.passage_html, passage);
        li.append(kind, " ", title, passage);
        list.appendChild(li);
      });
      const all = option(hits.length, (form.getAttribute("action") || "/search") + "?" + params(q));
      all.className = "suggestion-all";
      all.textContent = msg("sgAll", "See all results for “{q}”").replace("{q}", q);
      list.appendChild(all);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      status.textContent = hits.length === 0 ? msg("sgNone", "No suggestions yet.") :
        (hits.length === 1 ? msg("sgOne", "{n} suggestion: use the up and down arrows to choose.") :
          msg("sgOther", "{n} suggestions: use the up and down arrows to choose.")).replace("{n}", hits.length);
    };
    const ask = async () => {
      const q = input.value.trim();
      if (q === shown) return;
      if (pending) pending.abort();
      if (q.length < 2) { shown = ""; close(); return; }
      const ctl = new AbortController();
      pending = ctl;
      try {
        const p = params(q);
        p.set("prefix", "1");
        p.set("limit", "6");
        const res = await fetch("/api/v1/search?" + p, { credentials: "same-origin",
          headers: { "Accept": "application/json" }, signal: ctl.signal });
        if (!res.ok) { close(); return; }
        const body = await res.json();
        if (ctl !== pending || document.activeElement !== input) return; // a newer request, or the box was left
        shown = q;
        show(q, body.hits || []);
      } catch (err) {
        if (err.name !== "AbortError") close();
      }
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", (event) => {
      const opts = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { if (opts.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } else return; }
        event.preventDefault();
        // Positions: -1 (the box itself), then each suggestion; both ends wrap.
        let next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= opts.length) next = -1;
        else if (next < -1) next = opts.length - 1;
        choose(next);
      } else if (event.key === "Enter" && !list.hidden && active >= 0 && opts[active]) {
        event.preventDefault();
        go(opts[active].dataset.href);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    // Enter on a chosen suggestion opens it instead of submitting the form
    // (once: the form's own submission is cancelled as well).
    let leaving = false;
    const go = (href) => {
      if (leaving) return;
      leaving = true;
      window.location.assign(href);
    };
    form.addEventListener("submit", (event) => {
      const opts = options();
      if (leaving) event.preventDefault();
      else if (!list.hidden && active >= 0 && opts[active]) { event.preventDefault(); go(opts[active].dataset.href); }
    });
    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
    list.addEventListener("click", (event) => {
      const li = event.target.closest("[role=option]");
      if (li) go(li.dataset.href);
    });
    input.addEventListener("blur", () => { clearTimeout(timer); if (pending) pending.abort(); shown = ""; close(); });
  });
});

// A thread opened without an anchor opens at what is new since the
// reader's last visit (the divider the page puts before the first unread
// item). Links from the lists carry #first-unread already, which works
// without this script.
document.addEventListener("DOMContentLoaded", () => {
  if (!location.hash && document.getElementById("first-unread")) location.replace("#first-unread");
});

// The poll form's live preview (form[data-live-preview]): as the person
// types, the card beside the form follows. There is one renderer: after a
// pause in typing the form is posted as its own Preview button posts it
// (form_action=preview, which saves nothing), and the card is taken from
// the page Quorum answers. While the form cannot be previewed yet (no
// title, say) the last card stays; the form's errors are for the buttons
// (an answer 400 while the form is half filled in is expected).
// Without this script the Preview button does the same with a page load.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-live-preview]").forEach((form) => {
    const slot = document.getElementById(form.dataset.livePreview);
    if (!slot || !window.fetch || !window.DOMParser || !window.AbortController) return;
    let timer = 0, pending = null, sent = "";
    const refresh = async () => {
      // A required box left empty (the title) cannot be previewed: no need to ask.
      if ([...form.querySelectorAll("[required]")].some((e) => !e.value.trim())) return;
      const data = new URLSearchParams(new FormData(form));
      data.set("form_action", "preview");
      const body = data.toString();
      if (body === sent) return; // nothing changed since the last card
      sent = body;
      if (pending) pending.abort();
      const mine = pending = new AbortController();
      slot.setAttribute("aria-busy", "true");
      try {
        const res = await fetch(form.getAttribute("action"), { method: "POST", credentials: "same-origin", signal: mine.signal,
          headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html" }, body });
        const page = new DOMParser().parseFromString(await res.text(), "text/html");
        const fresh = page.getElementById(slot.id);
        if (res.ok && fresh && fresh.querySelector(".poll-card")) {
          slot.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
        }
      } catch (err) {
        if (err.name !== "AbortError") sent = ""; // offline: try again on the next change
      } finally {
        if (pending === mine) { pending = null; slot.removeAttribute("aria-busy"); }
      }
    };
    const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 500); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    if (form.querySelector("input[name=title]")?.value) refresh(); // an edit form: its card at once
  });
});
