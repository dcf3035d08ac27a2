"""Reports: one result model (:mod:`.model`) and its views (:mod:`.writers`)."""
