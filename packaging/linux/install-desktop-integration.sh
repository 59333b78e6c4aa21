#!/usr/bin/env sh
# Registers netbuilder with the desktop for the current user: menu entry, icon, and the
# application/x-netbuilder-design MIME type so that .nbd files open in netbuilder on a double-click.
# Needs the `netbuilder` command on PATH (pip install, or the PyInstaller folder linked into PATH).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
install -Dm644 "$here/org.netbuilder.NetBuilder.desktop" "$data/applications/org.netbuilder.NetBuilder.desktop"
install -Dm644 "$here/org.netbuilder.NetBuilder.mime.xml" "$data/mime/packages/org.netbuilder.NetBuilder.xml"
install -Dm644 "$here/org.netbuilder.NetBuilder.metainfo.xml" "$data/metainfo/org.netbuilder.NetBuilder.metainfo.xml"
install -Dm644 "$here/../../resources/icons/netbuilder.svg" "$data/icons/hicolor/scalable/apps/org.netbuilder.NetBuilder.svg"
install -Dm644 "$here/../../resources/icons/netbuilder.svg" "$data/icons/hicolor/scalable/mimetypes/application-x-netbuilder-design.svg"
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
command -v xdg-mime >/dev/null && xdg-mime default org.netbuilder.NetBuilder.desktop application/x-netbuilder-design || true
echo "netbuilder is registered for $(id -un): .nbd files now open in netbuilder"
