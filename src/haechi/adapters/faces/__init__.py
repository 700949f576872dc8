"""Face adapters (issue 7): dlib's detector and ResNet embedding model, the AES-GCM template
cipher. dlib is imported lazily, so the service starts without the `faces` extra."""
