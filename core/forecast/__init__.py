"""How long a citizen will wait: the ETA (`eta`), the live hall's cached estimate
(`live`), the service times learned from history (`service_times`), and the one
rule for when a window can call (`availability`), which the live estimate and the
simulator share."""
