// Progressive enhancements only: every page reads the same without this file.
(function () {
  "use strict";
  // Local time beside each UTC time.
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var d = new Date(t.getAttribute("datetime"));
    if (isNaN(d)) return;
    var local = document.createElement("span");
    local.className = "local";
    local.textContent = "(" + d.toLocaleString() + " local)";
    t.appendChild(local);
  });
  // Copy buttons for shortened addresses.
  document.querySelectorAll("button.copy").forEach(function (b) {
    if (!navigator.clipboard) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(b.dataset.copy).then(function () { b.textContent = "Copied"; });
    });
  });
  // Claim with the visitor's own wallet (EIP-1193), when one is present.
  var claims = document.querySelectorAll("button.claim");
  var status = document.getElementById("claim-status");
  var eth = window.ethereum;
  if (!claims.length || !eth || typeof eth.request !== "function") return;
  document.getElementById("claim-help").textContent =
    "A wallet is connected to this browser: Claim sends the claim from the investor's account.";
  claims.forEach(function (b) {
    b.disabled = false;
    b.addEventListener("click", function () {
      b.disabled = true;
      status.textContent = "Asking the wallet…";
      eth.request({ method: "eth_requestAccounts" }).then(function (accounts) {
        var from = (accounts || [])[0] || "";
        if (from.toLowerCase() !== b.dataset.account.toLowerCase()) {
          throw new Error("the wallet's account " + from + " is not this investor");
        }
        return eth.request({ method: "eth_sendTransaction", params: [{ from: from, to: b.dataset.token, data: b.dataset.data }] });
      }).then(function (hash) {
        status.textContent = "Claim sent (" + hash + "); waiting for it to be mined…";
        return waitFor(hash);
      }).then(function (receipt) {
        if (receipt.status !== "0x1") throw new Error("the claim reverted");
        status.textContent = "Claimed. Refreshing…";
        window.location.reload();
      }).catch(function (err) {
        status.textContent = "Claim failed: " + (err && err.message ? err.message : err);
        b.disabled = false;
      });
    });
  });
  function waitFor(hash) {
    return new Promise(function (resolve, reject) {
      var tries = 0;
      (function poll() {
        eth.request({ method: "eth_getTransactionReceipt", params: [hash] }).then(function (r) {
          if (r) return resolve(r);
          if (++tries > 120) return reject(new Error("no receipt after two minutes"));
          setTimeout(poll, 1000);
        }, reject);
      })();
    });
  }
})();
