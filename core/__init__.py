"""Parts shared by every app, with no Django models and no imports from the apps."""
