// consentkit-gcm.js: Google Consent Mode v2 for consentkit.js, loaded right after it only where the
// config turns Consent Mode on. It runs while the page is still parsing, so before any Google tag
// can: the default (every optional type denied), then the visitor's stored choice as an update,
// and an update on every change (a consentkit.hook: before the refused cookies go, before the
// site's listeners hear of it and what is now allowed starts).
//
// This is the source: `make assets` (tools/build_assets.py) minifies it into consentkit/static/.
(function () {
  var w = window, consentkit = w.consentkit, config = document.getElementById("consentkit-config");
  if (!consentkit || !config) return;
  // For each type but security_storage (which necessary grants), the category and the Google
  // service (allowed alone) that grant it.
  var types = JSON.parse(config.textContent).gcm;

  function gtag() { (w.dataLayer = w.dataLayer || []).push(arguments); }
  function consentMode(command, state) {
    var values = { security_storage: "granted" };
    Object.keys(types).forEach(function (type) {
      var granted = state && types[type].some(function (name) { return state.categories[name] || state.services[name]; });
      values[type] = granted ? "granted" : "denied";
    });
    gtag("consent", command, values);
  }

  consentMode("default");
  var state = consentkit.get();
  if (state.decided) consentMode("update", state);
  consentkit.hook(function (next) { consentMode("update", next); });
})();
