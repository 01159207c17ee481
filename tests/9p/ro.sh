# The read-only share (readonly=on): reads work, every write is EROFS.
# Run in the guest after ops.sh; prints only what must match QEMU's.
B=/bin/busybox
PATH=/tmp/bb:$PATH
mkdir -p /ro && mount -t 9p -o trans=virtio,version=9p2000.L ro0 /ro || exit 1
cd /ro || exit 1
t() { echo "T: $*"; }
echo RO-BEGIN
t read; cat hello.txt; ls -1
t write; echo x > hello.txt 2>&1; echo x >> hello.txt 2>&1; cat hello.txt
t create; echo x > new 2>&1; touch new2 2>&1; mkdir d 2>&1; ln -s hello.txt s 2>&1; mkfifo p 2>&1
t modify; chmod 600 hello.txt 2>&1; chown 1:1 hello.txt 2>&1; touch hello.txt 2>&1; truncate -s 0 hello.txt 2>&1
t rename; mv hello.txt h2 2>&1; ln hello.txt h3 2>&1
t delete; rm hello.txt 2>&1; rmdir hostdir 2>&1; rm -r hostdir 2>&1
t after; ls -1; cat hello.txt; stat -c '%a %s' hello.txt
echo RO-END
