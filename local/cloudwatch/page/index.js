"use strict";
// The list of dashboards and every alarm's state, refreshed.
async function refresh() {
  const about = await (await fetch("/api/dashboards")).json();
  const list = document.getElementById("dashboards");
  list.replaceChildren(...about.dashboards.map((name) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "/dashboards/" + encodeURIComponent(name);
    link.textContent = name;
    item.append(link);
    return item;
  }));
  document.getElementById("clock").textContent = about.time_scale === 1 ? "" : `time x${about.time_scale}`;
  const { alarms } = await (await fetch("/api/alarms")).json();
  document.getElementById("alarms").replaceChildren(...alarms.map((alarm) => {
    const item = document.createElement("li");
    item.dataset.alarm = alarm.name;
    item.dataset.state = alarm.state;
    item.className = "state-" + alarm.state;
    item.textContent = `${alarm.state}  ${alarm.name}: ${alarm.reason}`;
    return item;
  }));
}
refresh();
setInterval(refresh, 2000);
