// Alerts page: a map to put the circle's centre with a tap, and the
// fieldset of the other kind of area hidden. Without JavaScript the page
// shows every field and works the same.
(function () {
  "use strict";

  const form = document.querySelector(".alerts-form");
  if (!form) return;

  const place = form.querySelector("#where-place");
  const neighbourhood = form.querySelector("#where-neighbourhood");
  const lat = form.querySelector("[name=lat]");
  const long = form.querySelector("[name=long]");
  const radius = form.querySelector("[name=radius]");
  const placeName = form.querySelector("[name=place]");

  function showChosen() {
    const chosen = form.querySelector("[name=where]:checked");
    const isNeighbourhood = chosen && chosen.value === "neighbourhood";
    place.hidden = isNeighbourhood;
    neighbourhood.hidden = !isNeighbourhood;
  }

  form.querySelectorAll("[name=where]").forEach(function (radio) {
    radio.addEventListener("change", showChosen);
  });
  showChosen();

  const element = document.getElementById("alerts-map");
  if (!element || !window.L || !window.town311) return;

  element.parentElement.hidden = false;
  const map = window.town311.createMap(element);
  let circle = null;

  function metres() {
    const value = parseInt(radius.value, 10);
    return value >= 100 && value <= 5000 ? value : 500;
  }

  function draw() {
    const y = parseFloat(lat.value);
    const x = parseFloat(long.value);
    if (isNaN(y) || isNaN(x)) return;
    if (circle) {
      circle.setLatLng([y, x]).setRadius(metres());
    } else {
      circle = L.circle([y, x], { radius: metres() }).addTo(map);
    }
    map.fitBounds(circle.getBounds(), { maxZoom: 16 });
  }

  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    long.value = event.latlng.lng.toFixed(6);
    draw();
  });

  // A typed place name is looked up again, so old coordinates must not
  // win over it.
  placeName.addEventListener("input", function () {
    lat.value = "";
    long.value = "";
    if (circle) {
      circle.remove();
      circle = null;
    }
  });

  radius.addEventListener("input", draw);
  draw();
})();
