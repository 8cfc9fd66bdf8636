"""For students: practice in the terminal (`practice`, `show`), its PDF sheet (`practice_pdf`),
self-check (`selfcheck`), hints (`hints`) and worked solutions step by step (`explain`)."""
