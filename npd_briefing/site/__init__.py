"""The campaign website (`build.py site`): static pages, the seat finder's data, the figures CSV."""
