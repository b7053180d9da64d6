"""The letters: the letter to the MP (greeting, template, Markdown) and the meeting-request email."""
