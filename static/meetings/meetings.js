// Find-a-time: clicking a proposed slot fills the form's start and end (wall-clock, meeting zone)
// and the exact instants, which tell the repeated hour apart when clocks go back.
document.addEventListener("click", function (event) {
  var slot = event.target.closest(".mt-slot");
  if (!slot) return;
  document.getElementById("id_start").value = slot.dataset.start;
  document.getElementById("id_end").value = slot.dataset.end;
  document.getElementById("id_start_instant").value = slot.dataset.startInstant;
  document.getElementById("id_end_instant").value = slot.dataset.endInstant;
  document.querySelectorAll(".mt-slot.chosen").forEach(function (b) { b.classList.remove("chosen"); });
  slot.classList.add("chosen");
  document.getElementById("id_start").focus();
});
