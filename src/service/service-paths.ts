// Where `bosun service` writes the unit and finds the token by default. Apart from service-install.ts
// so that the command tree (service-command.ts), which every bosun process builds, the agent's
// included, shows them in its help without loading the installer (issue 23: the agent's memory).
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';
/** The token file the unit hands to the agent when --token-file does not name one and it exists. */
export const DEFAULT_TOKEN_FILE = '/etc/bosun/token';
