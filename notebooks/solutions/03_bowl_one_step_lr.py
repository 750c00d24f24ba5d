# One step maps x - 7 to (1 - 2*lr) * (x - 7) (and y - 3 likewise); the factor is 0 when lr = 1/2 = 1/L.
my_lr = 1 / 2
