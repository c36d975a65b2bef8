// Quorum's only script: progressive enhancement. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
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
      event.preventDefault();
      if (!input || !input.files.length) { say("Choose a file first."); return; }
      const file = input.files[0];
      const api = form.dataset.upload;
      const json = { "Content-Type": "application/json", "Accept": "application/json" };
      try {
        say("Preparing the upload…");
        const ask = { name: file.name, content_type: file.type || "application/octet-stream", size: file.size };
        if (form.dataset.comment) ask.comment_id = form.dataset.comment; // attaching to a comment
        let res = await fetch(api, { method: "POST", credentials: "same-origin", headers: json, body: JSON.stringify(ask) });
        if (!res.ok) throw new Error((await res.json()).detail || res.statusText);
        const up = await res.json();
        say("Uploading " + file.name + "…");
        res = await fetch(up.put.url, { method: up.put.method, headers: up.put.headers, body: file, credentials: "omit" });
        if (!res.ok) throw new Error("the storage refused the file (" + res.status + ")");
        say("Checking the file…");
        res = await fetch(api + "/" + encodeURIComponent(up.file_id) + "/confirm", { method: "POST", credentials: "same-origin", headers: json });
        if (!res.ok) throw new Error((await res.json()).detail || res.statusText);
        say("Attached.");
        window.location.reload();
      } catch (err) {
        say("The file was not attached: " + err.message);
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
  document.querySelectorAll("ol.ranked").forEach((list) => {
    const n = parseInt(list.dataset.n, 10) || 0;
    const order = list.closest("form").querySelector("input[name=order]");
    const refresh = () => {
      const items = [...list.children];
      items.forEach((li, i) => {
        li.querySelector(".rank").textContent = i < n ? "rank " + (i + 1) : "not ranked";
        const [up, down] = li.querySelectorAll("button[name=move]");
        up.disabled = i === 0;
        down.disabled = i === items.length - 1;
      });
      if (order) order.value = items.map((li) => li.dataset.id).join(",");
    };
    list.addEventListener("click", (event) => {
      const b = event.target.closest("button[name=move]");
      if (!b) return;
      event.preventDefault();
      const li = b.closest("li");
      if (b.value.startsWith("up:") && li.previousElementSibling) list.insertBefore(li, li.previousElementSibling);
      if (b.value.startsWith("down:") && li.nextElementSibling) list.insertBefore(li.nextElementSibling, li);
      refresh();
      if (b.disabled) { const other = li.querySelector("button[name=move]:not(:disabled)"); if (other) other.focus(); } else b.focus();
    });
  });
});
