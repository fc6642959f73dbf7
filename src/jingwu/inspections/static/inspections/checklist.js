/* The checklist at the door: every answer is kept on the phone (localStorage) as it is
   given, so a reload or a lost connection loses nothing; sending goes through fetch, and a
   checklist that could not be sent is sent again when the connection comes back. The same
   submission key is sent each time, so the server records it once. */
(function () {
  "use strict";
  var form = document.getElementById("jw-checklist");
  if (!form || form.dataset.canRecord !== "1") return;
  var key = "jw-checklist-" + form.dataset.visit;
  var pending = document.getElementById("jw-checklist-pending");
  var errors = document.getElementById("jw-checklist-errors");

  function load() {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function save(state) {
    try { localStorage.setItem(key, JSON.stringify(state)); return true; } catch (e) { return false; }
  }
  var state = load();
  if (!state.submission) {
    state.submission = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }
  state.fields = state.fields || {};
  state.photos = state.photos || {};
  save(state);
  form.elements.submission.value = state.submission;

  // restore what was entered before a reload
  Object.keys(state.fields).forEach(function (name) {
    var value = state.fields[name];
    var els = form.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
    els.forEach(function (el) {
      if (el.type === "radio") el.checked = el.value === value;
      else el.value = value;
    });
  });
  if (state.pending) pending.classList.remove("d-none");

  form.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.name) return;
    if (el.type === "file") {
      var file = el.files && el.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        state.photos[el.name] = { name: file.name, type: file.type, data: reader.result };
        if (!save(state)) { delete state.photos[el.name]; save(state); showErrors([form.dataset.msgPhotoKept]); }
      };
      reader.readAsDataURL(file);
      return;
    }
    state.fields[el.name] = el.value;
    save(state);
  });
  form.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el.name && el.type === "text") { state.fields[el.name] = el.value; save(state); }
  });

  function showErrors(list) {
    errors.textContent = "";
    list.forEach(function (m) { var d = document.createElement("div"); d.textContent = m; errors.appendChild(d); });
    errors.classList.toggle("d-none", list.length === 0);
  }
  function dataUrlBlob(url) {
    var parts = url.split(","), bin = atob(parts[1]), buf = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
    return new Blob([buf], { type: parts[0].split(":")[1].split(";")[0] });
  }
  function body() {
    var fd = new FormData();
    fd.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fd.append("submission", state.submission);
    Object.keys(state.fields).forEach(function (n) { fd.append(n, state.fields[n]); });
    Object.keys(state.photos).forEach(function (n) {
      var p = state.photos[n];
      fd.append(n, dataUrlBlob(p.data), p.name);
    });
    return fd;
  }
  var sending = false;
  function send() {
    if (sending) return;
    sending = true;
    fetch(form.action || window.location.href, {
      method: "POST", body: body(), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value }
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      sending = false;
      if (res.data.ok) {
        localStorage.removeItem(key);
        window.location.assign(res.data.next);
      } else {
        state.pending = false; save(state);
        pending.classList.add("d-none");
        showErrors(res.data.errors || []);
      }
    }).catch(function () {
      sending = false;
      state.pending = true; save(state);
      pending.classList.remove("d-none");
    });
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    showErrors([]);
    if (!navigator.onLine) {
      state.pending = true; save(state);
      pending.classList.remove("d-none");
      return;
    }
    send();
  });
  window.addEventListener("online", function () { if (load().pending) send(); });
  if (state.pending && navigator.onLine) send();
})();
