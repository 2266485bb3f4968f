"""The pages people read (`ipledger serve`): server-rendered from the same views as the
JSON API, readable without JavaScript."""
