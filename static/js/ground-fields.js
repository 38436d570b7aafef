// Shows only the evidence fields of the chosen Pasal 5 ground; without JavaScript all show.
document.addEventListener("DOMContentLoaded", () => {
  const ground = document.querySelector("#item-form [name=ground]");
  if (!ground) return;
  const update = () => {
    document.querySelectorAll("#item-form [data-ground-for]").forEach((fieldset) => {
      fieldset.hidden = !fieldset.dataset.groundFor.split(" ").includes(ground.value);
    });
  };
  ground.addEventListener("change", update);
  update();
});
