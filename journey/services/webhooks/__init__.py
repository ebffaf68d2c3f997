"""Outbound webhooks: subscriptions, events planned in the changing transaction, delivery with retry."""
