mod default_body;
