"""ESF time reporting: entries, network meetings, totals and the payment-claim export."""
