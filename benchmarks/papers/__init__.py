"""Reproducing the papers: one command, one JSON per row, a generated README table.

    python -m benchmarks --papers [--quick] [--rows 6,1,7] [--resume]
    python -m benchmarks --render

=====  =========================================================  ==========================
row    experiment                                                 module
=====  =========================================================  ==========================
1, 2   Keras-tutorial dense AEs, minidl vs PyTorch                rows_ae + sides
3      the lecture's conv AE 16-8-8                               rows_ae
4      Hinton & Salakhutdinov 2006 deep AE vs PCA-30              rows_rbm
5      DBN 784-500-500-2000 classifier                            rows_rbm
6      RBM CD-1 / CD-k, k 1 -> 25 (Salakhutdinov & Murray 2008)   rows_likelihood
6b     centered RBM, PCD-1 (Melchior, Fischer & Wiskott 2016)     rows_likelihood
6c     plain RBM, PCD-1 (Tieleman 2008)                           rows_likelihood
6d     centered RBM, PCD-1, visible biases started at 0           rows_likelihood
       (each RBM's test log-prob between reverse AIS and AIS)     (diagnose_rbm)
7      k-sparse AE + linear probe (Makhzani & Frey 2013)          rows_ae
8      VAE 784-400-20, minidl vs PyTorch                          rows_ae + sides
9      PCA-30 and K-means, checked against scikit-learn           rows_ae
=====  =========================================================  ==========================

``common`` (data, scales, machine, atomic JSON), ``stages`` (resume), ``verdict``
(met / missed), ``runner`` (the command), ``render`` (the README tables).
"""
