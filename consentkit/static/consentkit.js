/* consentkit.js, built from assets/consentkit.js (comments removed): edit that file, then `make assets`. */
(function () {
  "use strict";
  var d = document, w = window, config = d.getElementById("consentkit-config");
  if (!config || w.consentkit) return;
  config = JSON.parse(config.textContent);
  var state = config.state, listeners = [], dialog, opener;

  function gtag() { (w.dataLayer = w.dataLayer || []).push(arguments); }
  function consentMode(command) {
    var types = { security_storage: "granted" };
    Object.keys(config.gcm).forEach(function (type) {
      types[type] = command == "update" && config.gcm[type].some(allows) ? "granted" : "denied";
    });
    gtag("consent", command, types);
  }
  function allows(name) { return !!(state.categories[name] || state.services[name]); }
  function held(element, kind) { return allows(element.getAttribute("data-consentkit-" + kind)); }

  if (config.gcm) {
    consentMode("default");
    if (state.decided) consentMode("update");
  }

  function globToRegExp(glob) {
    return new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  }

  function activate() {
    var scripts = [];
    d.querySelectorAll("[data-consentkit-category],[data-consentkit-service]").forEach(function (element) {
      if (!held(element, "category") && !held(element, "service")) return;
      if (element.tagName == "SCRIPT") return scripts.push(element);
      ["src", "srcset", "srcdoc", "href", "poster", "data", "imagesrcset"].forEach(function (name) {
        var value = element.getAttribute("data-" + name);
        if (value != null) {
          element.setAttribute(name, value);
          element.removeAttribute("data-" + name);
        }
      });
      element.removeAttribute("data-consentkit-category");
      element.removeAttribute("data-consentkit-service");
    });
    d.querySelectorAll("[data-consentkit-placeholder]").forEach(function (element) {
      if (held(element, "placeholder")) element.remove();
    });
    var walker = d.createTreeWalker(d, 128), node, start, doomed = [];
    while ((node = walker.nextNode())) {
      var opening = /^consentkit-fallback ([\w-]+)$/.exec(node.data);
      if (opening) start = allows(opening[1]) && node;
      else if (start && node.data == "/consentkit-fallback") {
        for (var sibling = start; sibling && sibling != node; sibling = sibling.nextSibling) doomed.push(sibling);
        doomed.push(node);
        start = null;
      }
    }
    doomed.forEach(function (gone) { gone.remove(); });
    (function next() {
      var inert = scripts.shift();
      if (!inert) return;
      var live = d.createElement("script");
      Array.prototype.forEach.call(inert.attributes, function (attribute) {
        if (!/^(type|nonce|data-consentkit-)/.test(attribute.name)) live.setAttribute(attribute.name, attribute.value);
      });
      if (inert.getAttribute("data-consentkit-type")) live.type = inert.getAttribute("data-consentkit-type");
      live.nonce = inert.nonce;
      live.text = inert.text;
      if (live.src) {
        live.async = false;
        live.onload = live.onerror = next;
        inert.replaceWith(live);
      } else {
        inert.replaceWith(live);
        next();
      }
    })();
  }

  function purge() {
    var labels = location.hostname.split("."), domains = [""];
    for (var i = 0; i < labels.length - 1; i++) domains.push(";domain=" + labels.slice(i).join("."));
    Object.keys(config.purge).forEach(function (category) {
      if (allows(category)) return;
      config.purge[category].map(globToRegExp).forEach(function (pattern) {
        d.cookie.split("; ").forEach(function (pair) {
          var name = pair.split("=")[0];
          if (pattern.test(name)) domains.forEach(function (domain) { d.cookie = name + "=;max-age=0;path=/" + domain; });
        });
        try {
          [localStorage, sessionStorage].forEach(function (storage) {
            for (var k = storage.length; k--;) if (pattern.test(storage.key(k))) storage.removeItem(storage.key(k));
          });
        } catch (blocked) {
        }
      });
    });
  }

  function stop(service) {
    var hooks = config.stop[service];
    (hooks.flags || []).forEach(function (flag) { w[flag] = true; });
    (hooks.calls || []).forEach(function (call) {
      var owner = w, target = w;
      call[0].split(".").forEach(function (name) { owner = target; target = target && target[name]; });
      try {
        if (typeof target == "function") target.apply(owner, call.slice(1));
      } catch (ignored) {
      }
    });
    d.querySelectorAll("iframe[src]").forEach(function (frame) {
      if ((hooks.frames || []).indexOf(new URL(frame.src).hostname) < 0) return;
      frame.setAttribute("data-src", frame.getAttribute("src"));
      frame.removeAttribute("src");
      frame.setAttribute("data-consentkit-service", service);
    });
  }

  function reserve() {
    var banner = d.getElementById("consentkit-banner"), box = banner && !banner.hidden ? banner : d.querySelector(".consentkit-corner");
    var top = box && box.offsetHeight ? box.getBoundingClientRect().top : innerHeight;
    d.documentElement.style.setProperty("--ck-reserve", Math.ceil(innerHeight - top) + "px");
  }

  function apply(next) {
    var before = state;
    state = next;
    Object.keys(config.stop).forEach(function (service) {
      if (before.services[service] && !allows(service)) stop(service);
    });
    if (config.gcm) consentMode("update");
    d.querySelectorAll(".consentkit-form input[name]").forEach(function (box) {
      if (box.type == "checkbox") box.checked = allows(box.value);
    });
    var banner = d.getElementById("consentkit-banner");
    if (banner) banner.hidden = state.decided;
    if (dialog && dialog.open) dialog.close();
    purge();
    d.dispatchEvent(new CustomEvent("consentkit:change", { detail: get() }));
    listeners.forEach(function (listener) { listener(get()); });
    activate();
    return get();
  }

  function send(choice) {
    return fetch(config.base + "/consent", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(choice)
    }).then(function (response) {
      if (!response.ok) throw new Error("consentkit: " + response.status);
      return response.json();
    }).then(apply);
  }

  function get() { return JSON.parse(JSON.stringify(state)); }

  function open() {
    if (!dialog) return;
    opener = d.activeElement;
    dialog.showModal();
  }

  d.addEventListener("submit", function (event) {
    var form = event.target, button = event.submitter;
    if (!form.classList.contains("consentkit-form") || !button || button.name != "choice") return;
    event.preventDefault();
    var fields = new FormData(form);
    send({ choice: button.value, categories: fields.getAll("category"), services: fields.getAll("service"), locale: fields.get("locale") })
      .catch(function () {
        var choice = d.createElement("input");
        choice.type = "hidden";
        choice.name = "choice";
        choice.value = button.value;
        form.appendChild(choice);
        form.submit();
      });
  });

  d.addEventListener("change", function (event) {
    var box = event.target, form = box.closest(".consentkit-form");
    if (!form) return;
    if (box.name == "category") {
      form.querySelectorAll("[data-consentkit-in=" + box.value + "]").forEach(function (service) { service.checked = box.checked; });
    } else if (box.name == "service" && !box.checked) {
      form.querySelector("[name=category][value=" + box.getAttribute("data-consentkit-in") + "]").checked = false;
    }
  });

  d.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (target.closest("[data-consentkit-open]") && dialog) {
      event.preventDefault();
      open();
    } else if (target.closest("[data-consentkit-close]")) {
      dialog.close();
    }
  });

  function start() {
    dialog = d.getElementById("consentkit-dialog");
    if (dialog) dialog.addEventListener("close", function () { if (opener) opener.focus(); });
    if (state.decided) purge();
    activate();
    var observer = w.ResizeObserver && new ResizeObserver(reserve);
    d.querySelectorAll("#consentkit-banner,.consentkit-corner").forEach(function (box) { observer ? observer.observe(box) : reserve(); });
    if (config.gpc && !state.decided && navigator.globalPrivacyControl) send({ choice: "gpc" });
  }

  w.consentkit = {
    get: get,
    set: function (categories) { return send({ choice: "custom", categories: categories }); },
    open: open,
    on: function (listener) { listeners.push(listener); }
  };
  if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", start);
  else start();
})();
