"""Personal-data protection: AES-GCM field encryption with key ids, HMAC blind indexes, masking."""
