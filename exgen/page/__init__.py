"""The self-check page (`exgen page`): one offline HTML file with exercises, answer boxes, the
verdicts, diagnoses and hints of `exgen check` (judged in the browser from data computed here:
grading.export), worked steps as MathML and the network as SVG."""
