"""What the outside data sources said: Dukcapil's population events and DTSEN's welfare ranking,
and the cases they find for the Tim Verifikasi."""
