// consentkit-services.js: what a site with third-party services needs of consentkit.js's
// settings, loaded right after it only where the config enables a service.
//
// - The switches: a category switch turns its services' switches with it; a service turned off
//   turns its category off.
// - A service the visitor withdraws is stopped without a reload: told to stop (GA's opt-out flag,
//   Meta's and others' consent calls, the presets' stop hooks in config.stop) and its frames
//   unloaded. Services without such a switch keep their loaded script until the next page, but
//   lose their cookies and load nothing more.
//
// This is the source: `make assets` (tools/build_assets.py) minifies it into consentkit/static/.
(function () {
  var d = document, w = window, consentkit = w.consentkit, config = d.getElementById("consentkit-config");
  if (!consentkit || !config) return;
  // For each service: window flags to set, calls to make ([path, ...arguments]), frame hosts to unload.
  var hooks = JSON.parse(config.textContent).stop;

  d.addEventListener("change", function (event) {
    var box = event.target, form = box.closest(".consentkit-form");
    if (!form) return;
    if (box.name == "category") {
      form.querySelectorAll("[data-consentkit-in=" + box.value + "]").forEach(function (service) { service.checked = box.checked; });
    } else if (box.name == "service" && !box.checked) {
      form.querySelector("[name=category][value=" + box.getAttribute("data-consentkit-in") + "]").checked = false;
    }
  });

  function stop(service) {
    var hook = hooks[service];
    (hook.flags || []).forEach(function (flag) { w[flag] = true; });
    (hook.calls || []).forEach(function (call) {
      var owner = w, target = w;
      call[0].split(".").forEach(function (name) { owner = target; target = target && target[name]; });
      try {
        if (typeof target == "function") target.apply(owner, call.slice(1));
      } catch (ignored) {
        // A third party's failure must not stop the withdrawal.
      }
    });
    d.querySelectorAll("iframe[src]").forEach(function (frame) {
      if ((hook.frames || []).indexOf(new URL(frame.src).hostname) < 0) return;
      frame.setAttribute("data-src", frame.getAttribute("src"));
      frame.removeAttribute("src");
      frame.setAttribute("data-consentkit-service", service);
    });
  }

  // Withdrawn: allowed before, not now (neither alone nor with its category).
  consentkit.hook(function (state, before) {
    Object.keys(hooks).forEach(function (service) {
      if (before.services[service] && !state.services[service]) stop(service);
    });
  });
})();
