"""zhijian's machine-learning models: where their files come from (offline) and how they load."""
